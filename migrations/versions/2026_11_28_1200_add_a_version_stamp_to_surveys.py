"""add a version stamp to surveys, so answering pages can keep a survey's structure per worker

Every existing survey gets a stamp of its own; the app sets a new one whenever the survey, its
questions, choices or pictures change (surveys.structure).

Revision ID: 7b2e4c9d1f03
Revises: d8a33afcc6ae
Create Date: 2026-11-28 12:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b2e4c9d1f03'
down_revision = 'd8a33afcc6ae'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.String(length=16), nullable=True))
    surveys = sa.table('surveys', sa.column('id', sa.Integer), sa.column('version', sa.String))
    connection = op.get_bind()
    for (survey_id,) in connection.execute(sa.select(surveys.c.id)):
        connection.execute(surveys.update().where(surveys.c.id == survey_id)
                           .values(version=secrets.token_urlsafe(9)))
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.alter_column('version', existing_type=sa.String(length=16), nullable=False)


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('version')

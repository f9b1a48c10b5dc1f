"""add survey series (rounds of the same survey over the years), and a lineage key on questions and options
that stays the same from round to round, so rounds are compared question by question and option by option

Every existing question and option gets a key of its own.

Revision ID: 8e4f2a6c1b57
Revises: 5c1d7e9a2b40
Create Date: 2026-11-28 16:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e4f2a6c1b57'
down_revision = '5c1d7e9a2b40'
branch_labels = None
depends_on = None


def _keys(table_name: str) -> None:
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column('lineage', sa.String))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.select(table.c.id))]
    for row_id in ids:
        connection.execute(table.update().where(table.c.id == row_id).values(lineage=secrets.token_urlsafe(9)))


def upgrade():
    op.create_table(
        'survey_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_survey_series_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_series')),
    )
    with op.batch_alter_table('survey_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_series_organisation_id'), ['organisation_id'], unique=False)
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_surveys_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_surveys_series_id_survey_series'), 'survey_series',
                                    ['series_id'], ['id'], ondelete='SET NULL')
    for table_name in ('questions', 'choices'):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('lineage', sa.String(length=16), nullable=True))
        _keys(table_name)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column('lineage', existing_type=sa.String(length=16), nullable=False)


def downgrade():
    for table_name in ('choices', 'questions'):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('lineage')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_surveys_series_id_survey_series'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_surveys_series_id'))
        batch_op.drop_column('round')
        batch_op.drop_column('series_id')
    with op.batch_alter_table('survey_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_series_organisation_id'))
    op.drop_table('survey_series')

"""add idea outcomes with public answers, and published survey results

Revision ID: 5d1c7e2a9b40
Revises: 82ebc20ab695
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c7e2a9b40'
down_revision = '82ebc20ab695'
branch_labels = None
depends_on = None

OUTCOME = sa.Enum('selected', 'trying', 'realised', 'not_possible', name='ideaoutcome', native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', OUTCOME, nullable=True))
    op.create_table('idea_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('outcome', OUTCOME, nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_updates_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_updates'))
    )
    with op.batch_alter_table('idea_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_updates_idea_id'), ['idea_id'], unique=False)
    op.create_table('published_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('show_texts', sa.Boolean(), nullable=False),
    sa.Column('doing_now', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_published_surveys_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_surveys')),
    sa.UniqueConstraint('survey_id', name=op.f('uq_published_surveys_survey_id'))
    )


def downgrade():
    op.drop_table('published_surveys')
    with op.batch_alter_table('idea_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_updates_idea_id'))
    op.drop_table('idea_updates')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('outcome')

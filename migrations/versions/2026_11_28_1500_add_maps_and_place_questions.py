"""add maps of the town centre, place answers (x, y on a map), areas as options with a shape, and
touchpoints placed on a map

A map belongs to an organisation: a cleaned picture with an optional georeference (control points).
A place answer keeps its point as shares of the map's width and height; the option it is counted
under is the named area (a choice with a polygon) that contains it.

Revision ID: 5c1d7e9a2b40
Revises: 3f6a0c2e8b51
Create Date: 2026-11-28 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d7e9a2b40'
down_revision = '3f6a0c2e8b51'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'maps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('control_points', sa.JSON(), nullable=False),
        sa.Column('version', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_maps_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_maps')),
    )
    with op.batch_alter_table('maps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maps_organisation_id'), ['organisation_id'], unique=False)
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('x', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('y', sa.Double(), nullable=True))
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shape', sa.JSON(), nullable=True))
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('map_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('map_x', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('map_y', sa.Double(), nullable=True))
        batch_op.create_foreign_key('fk_touchpoints_map_id_maps', 'maps', ['map_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.drop_constraint('fk_touchpoints_map_id_maps', type_='foreignkey')
        batch_op.drop_column('map_y')
        batch_op.drop_column('map_x')
        batch_op.drop_column('map_id')
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.drop_column('shape')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('y')
        batch_op.drop_column('x')
    with op.batch_alter_table('maps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maps_organisation_id'))
    op.drop_table('maps')

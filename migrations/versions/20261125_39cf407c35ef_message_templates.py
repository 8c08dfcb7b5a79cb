"""message templates

Revision ID: 39cf407c35ef
Revises: 49e600733fbf
Create Date: 2026-11-25 09:15:12.603023

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '39cf407c35ef'
down_revision = '49e600733fbf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_template',
    sa.Column('kind', sa.Enum('incident', 'maintenance', name='kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('component_status', sa.Enum('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance', name='component_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('notify', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_template')),
    sa.UniqueConstraint('kind', 'name', name='uq_message_template_kind_name'),
    sa.UniqueConstraint('public_id', name=op.f('uq_message_template_public_id'))
    )
    op.create_table('message_template_component',
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['component.id'], name=op.f('fk_message_template_component_component_id_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['message_template.id'], name=op.f('fk_message_template_component_template_id_message_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('template_id', 'component_id', name=op.f('pk_message_template_component'))
    )


def downgrade():
    op.drop_table('message_template_component')
    op.drop_table('message_template')

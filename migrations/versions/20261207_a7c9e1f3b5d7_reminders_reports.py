"""reminders and reports: reserved

Revision ID: a7c9e1f3b5d7
Revises: f6b8d0e2a4c6
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c9e1f3b5d7'
down_revision = 'f6b8d0e2a4c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder',
    sa.Column('kind', sa.Enum('update_due', 'stale_component', name='kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('component_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['component.id'], name=op.f('fk_reminder_component_id_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['user.id'], name=op.f('fk_reminder_dismissed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_reminder_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('kind', 'subject', 'due_at', name='uq_reminder_due'),
    sa.UniqueConstraint('public_id', name=op.f('uq_reminder_public_id'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_open', ['cleared_at', 'dismissed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_open')

    op.drop_table('reminder')

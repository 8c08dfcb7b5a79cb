"""deliveries: planned deliveries, attempts, broadcast channels, outbox planning progress

Revision ID: c3e5a7b9d1f3
Revises: b2d4f6a8c0e2
Create Date: 2026-11-25 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f3'
down_revision = 'b2d4f6a8c0e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('broadcast_channel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('apprise_url', sa.String(length=2000), nullable=False),
    sa.Column('component_ids', sa.JSON(), nullable=False),
    sa.Column('minimum_impact', sa.Enum('none', 'minor', 'major', 'critical', 'maintenance', name='impact', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_channel'))
    )
    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=True),
    sa.Column('broadcast_channel_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('email', 'sms', 'webhook', 'slack', 'teams', 'discord', 'googlechat', 'apprise', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('state', sa.Enum('queued', 'sending', 'sent', 'failed', 'dead', 'superseded', 'skipped', name='state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['broadcast_channel_id'], ['broadcast_channel.id'], name=op.f('fk_delivery_broadcast_channel_id_broadcast_channel'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_delivery_event_id_outbox_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscriber.id'], name=op.f('fk_delivery_subscriber_id_subscriber'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
    sa.UniqueConstraint('event_id', 'broadcast_channel_id', name='uq_delivery_event_broadcast'),
    sa.UniqueConstraint('event_id', 'subscriber_id', name='uq_delivery_event_subscriber'),
    sa.UniqueConstraint('key', name=op.f('uq_delivery_key'))
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_channel_state_next', ['channel', 'state', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_delivery_state_lease', ['state', 'lease_until'], unique=False)
        batch_op.create_index('ix_delivery_subscriber_state', ['subscriber_id', 'state'], unique=False)

    op.create_table('delivery_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], name=op.f('fk_delivery_attempt_delivery_id_delivery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempt'))
    )
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempt_delivery_id'), ['delivery_id'], unique=False)

    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('update_public_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('plan_cursor', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('planned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_event_planned_at_id', ['planned_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_event_topic'), ['topic'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_event_update_public_id'), ['update_public_id'], unique=False)
    # Events a worker already handled need no planning.
    op.execute("UPDATE outbox_event SET planned_at = processed_at WHERE processed_at IS NOT NULL")



def downgrade():
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_event_update_public_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_event_topic'))
        batch_op.drop_index('ix_outbox_event_planned_at_id')
        batch_op.drop_column('planned_at')
        batch_op.drop_column('plan_cursor')
        batch_op.drop_column('update_public_id')
        batch_op.drop_column('topic')

    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_delivery_id'))

    op.drop_table('delivery_attempt')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_subscriber_state')
        batch_op.drop_index('ix_delivery_state_lease')
        batch_op.drop_index('ix_delivery_channel_state_next')

    op.drop_table('delivery')
    op.drop_table('broadcast_channel')

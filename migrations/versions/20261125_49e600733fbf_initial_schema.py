"""initial schema

Revision ID: 49e600733fbf
Revises: 
Create Date: 2026-11-25 09:09:16.791081

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '49e600733fbf'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('component_group',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.Column('collapsed', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_component_group')),
    sa.UniqueConstraint('public_id', name=op.f('uq_component_group_public_id'))
    )
    op.create_table('incident',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('investigating', 'identified', 'monitoring', 'resolved', 'postmortem', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('impact', sa.Enum('none', 'minor', 'major', 'critical', 'maintenance', name='impact', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('impact_override', sa.Enum('none', 'minor', 'major', 'critical', 'maintenance', name='impact_override', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('identified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('monitoring_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('backfilled', sa.Boolean(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('postmortem_body', sa.Text(), nullable=True),
    sa.Column('postmortem_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('public_id', name=op.f('uq_incident_public_id'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_started_at', ['started_at'], unique=False)

    op.create_table('maintenance',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'in_progress', 'verifying', 'completed', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scheduled_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('auto_start', sa.Boolean(), nullable=False),
    sa.Column('auto_complete', sa.Boolean(), nullable=False),
    sa.Column('notify_on_start', sa.Boolean(), nullable=False),
    sa.Column('notify_on_complete', sa.Boolean(), nullable=False),
    sa.Column('remind_before_minutes', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance')),
    sa.UniqueConstraint('public_id', name=op.f('uq_maintenance_public_id'))
    )
    with op.batch_alter_table('maintenance', schema=None) as batch_op:
        batch_op.create_index('ix_maintenance_scheduled_for', ['scheduled_for'], unique=False)

    op.create_table('page_settings',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('default_language', sa.String(length=16), nullable=False),
    sa.Column('theme', sa.String(length=64), nullable=False),
    sa.Column('logo_url', sa.String(length=500), nullable=True),
    sa.Column('accent_color', sa.String(length=16), nullable=False),
    sa.Column('support_url', sa.String(length=500), nullable=True),
    sa.Column('custom_css', sa.Text(), nullable=True),
    sa.Column('footer_links', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_settings')),
    sa.UniqueConstraint('public_id', name=op.f('uq_page_settings_public_id'))
    )
    op.create_table('user',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'communicator', 'support', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email')),
    sa.UniqueConstraint('public_id', name=op.f('uq_user_public_id'))
    )
    op.create_table('worker_heartbeat',
    sa.Column('worker_id', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_heartbeat'))
    )
    op.create_table('api_key',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_key_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash')),
    sa.UniqueConstraint('public_id', name=op.f('uq_api_key_public_id'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_user_id'), ['user_id'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_entry_actor_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)

    op.create_table('component',
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('showcase', sa.Boolean(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.Column('only_show_if_degraded', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['component_group.id'], name=op.f('fk_component_group_id_component_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_component')),
    sa.UniqueConstraint('public_id', name=op.f('uq_component_public_id'))
    )
    with op.batch_alter_table('component', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_component_group_id'), ['group_id'], unique=False)

    op.create_table('incident_update',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('investigating', 'identified', 'monitoring', 'resolved', 'postmortem', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('display_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notify', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_incident_update_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_update_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_update')),
    sa.UniqueConstraint('public_id', name=op.f('uq_incident_update_public_id'))
    )
    with op.batch_alter_table('incident_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_update_incident_id'), ['incident_id'], unique=False)

    op.create_table('maintenance_update',
    sa.Column('maintenance_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'in_progress', 'verifying', 'completed', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('display_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notify', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_maintenance_update_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['maintenance_id'], ['maintenance.id'], name=op.f('fk_maintenance_update_maintenance_id_maintenance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_update')),
    sa.UniqueConstraint('public_id', name=op.f('uq_maintenance_update_public_id'))
    )
    with op.batch_alter_table('maintenance_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_update_maintenance_id'), ['maintenance_id'], unique=False)

    op.create_table('component_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('previous_status', sa.Enum('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance', name='previous_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('status', sa.Enum('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance', name='status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cause', sa.Enum('incident', 'maintenance', 'manual', 'api', name='cause', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('maintenance_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_component_status_change_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['component_id'], ['component.id'], name=op.f('fk_component_status_change_component_id_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_component_status_change_incident_id_incident'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['maintenance_id'], ['maintenance.id'], name=op.f('fk_component_status_change_maintenance_id_maintenance'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_component_status_change'))
    )
    with op.batch_alter_table('component_status_change', schema=None) as batch_op:
        batch_op.create_index('ix_component_status_change_component_at', ['component_id', 'changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_component_status_change_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_component_status_change_maintenance_id'), ['maintenance_id'], unique=False)

    op.create_table('incident_component',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['component.id'], name=op.f('fk_incident_component_component_id_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_component_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'component_id', name=op.f('pk_incident_component'))
    )
    op.create_table('incident_update_component',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.Enum('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance', name='old_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('new_status', sa.Enum('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance', name='new_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['component.id'], name=op.f('fk_incident_update_component_component_id_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['incident_update.id'], name=op.f('fk_incident_update_component_update_id_incident_update'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('update_id', 'component_id', name=op.f('pk_incident_update_component'))
    )
    op.create_table('maintenance_component',
    sa.Column('maintenance_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['component.id'], name=op.f('fk_maintenance_component_component_id_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['maintenance_id'], ['maintenance.id'], name=op.f('fk_maintenance_component_maintenance_id_maintenance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('maintenance_id', 'component_id', name=op.f('pk_maintenance_component'))
    )


def downgrade():
    op.drop_table('maintenance_component')
    op.drop_table('incident_update_component')
    op.drop_table('incident_component')
    with op.batch_alter_table('component_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_component_status_change_maintenance_id'))
        batch_op.drop_index(batch_op.f('ix_component_status_change_incident_id'))
        batch_op.drop_index('ix_component_status_change_component_at')

    op.drop_table('component_status_change')
    with op.batch_alter_table('maintenance_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_update_maintenance_id'))

    op.drop_table('maintenance_update')
    with op.batch_alter_table('incident_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_update_incident_id'))

    op.drop_table('incident_update')
    with op.batch_alter_table('component', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_component_group_id'))

    op.drop_table('component')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_object')
        batch_op.drop_index(batch_op.f('ix_audit_entry_created_at'))

    op.drop_table('audit_entry')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_user_id'))

    op.drop_table('api_key')
    op.drop_table('worker_heartbeat')
    op.drop_table('user')
    op.drop_table('page_settings')
    with op.batch_alter_table('maintenance', schema=None) as batch_op:
        batch_op.drop_index('ix_maintenance_scheduled_for')

    op.drop_table('maintenance')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_started_at')

    op.drop_table('incident')
    op.drop_table('component_group')

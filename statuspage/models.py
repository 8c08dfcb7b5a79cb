"""Import every model so metadata is complete (Alembic, tests, create_all)."""

from .accounts.models import ApiKey, Role, User
from .api.models import IdempotencyRecord
from .audit.models import AuditEntry
from .components.models import Component, ComponentGroup, ComponentStatus, ComponentStatusChange
from .customers.models import Customer, CustomerDomain
from .incidents.models import (
    Impact,
    Incident,
    IncidentStatus,
    IncidentTranslation,
    IncidentUpdate,
    IncidentUpdateComponent,
    IncidentUpdateTranslation,
    MessageTemplate,
    MessageTemplateTranslation,
    TemplateKind,
)
from .internal.models import AlertEvent, Integration, InternalIncident, MappingRule
from .maintenance.models import Maintenance, MaintenanceStatus, MaintenanceUpdate
from .notifications.models import BroadcastChannel, Delivery, DeliveryAttempt, OutboxEvent
from .public.version import PublicVersion
from .reminders.models import Reminder, ReminderKind
from .site.models import PageSettings
from .subscribers.models import Subscriber
from .support.models import ApprovedWording, SupportNote
from .worker.models import WorkerHeartbeat

__all__ = [
    "AlertEvent",
    "ApprovedWording",
    "SupportNote",
    "Customer",
    "CustomerDomain",
    "Integration",
    "InternalIncident",
    "MappingRule",
    "ApiKey",
    "AuditEntry",
    "Component",
    "ComponentGroup",
    "ComponentStatus",
    "ComponentStatusChange",
    "IdempotencyRecord",
    "Impact",
    "Incident",
    "IncidentStatus",
    "IncidentTranslation",
    "IncidentUpdateTranslation",
    "IncidentUpdate",
    "IncidentUpdateComponent",
    "Maintenance",
    "MaintenanceStatus",
    "MaintenanceUpdate",
    "MessageTemplate",
    "MessageTemplateTranslation",
    "BroadcastChannel",
    "Delivery",
    "DeliveryAttempt",
    "OutboxEvent",
    "PageSettings",
    "Reminder",
    "ReminderKind",
    "PublicVersion",
    "Role",
    "Subscriber",
    "TemplateKind",
    "User",
    "WorkerHeartbeat",
]

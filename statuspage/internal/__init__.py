"""Internal incidents: what alerting tools (Alertmanager, PagerDuty, Grafana, Opsgenie) send in."""

"""Reports: per-incident response times and monthly MTTA/MTTR/uptime per component."""

"""Customer accounts: who uses which components, for support agents and blast radius."""

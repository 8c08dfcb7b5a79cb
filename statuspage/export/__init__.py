"""Static export of the public site (`statuspage export DIR`) and its worker re-export."""

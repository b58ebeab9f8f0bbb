"""What every app needs and none owns: the organiser-permission view mixin, turning a
service's refusal into form errors, the JSON answer of autosave endpoints, protected file
responses and small formatting helpers. ``core`` imports no other Laurel app."""

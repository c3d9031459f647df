"""Priority from the client's live value: a valuable client's case is critical and
escalates to the personal manager, also when the client becomes valuable later."""

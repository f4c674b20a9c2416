"""Work the window hands off: heavy operations in a child process (:mod:`.child`), named in one
table (:mod:`.registry`)."""

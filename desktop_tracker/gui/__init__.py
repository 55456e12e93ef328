"""The desktop application: PySide6 widgets over the services, in the Qt loop through qasync.

The only package that imports Qt. Widgets ask the services for work through `async_ops.spawn`
and learn about runs, revisions and notifications from the services' events, never by polling.
"""

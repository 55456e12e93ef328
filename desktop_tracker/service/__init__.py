"""The app's services: what the GUI and the command line ask for, wired over the lower layers."""

from desktop_tracker.service.app import AppServices, check_page, open_services, run_headless
from desktop_tracker.service.trackers import TrackerService

__all__ = ["AppServices", "TrackerService", "check_page", "open_services", "run_headless"]

#!/usr/bin/env python3
"""The test and demo project of the kitchen_sync package."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

"""SMSGlobal MXT REST v2 emulation: MAC authentication, SMS routes and wire rendering."""

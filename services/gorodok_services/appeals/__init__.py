"""Citizens' appeals under Federal Law 59-FZ, information requests under 8-FZ and messages of the
federal feedback platform: intake, registration, routing, deadlines, answers and statistics."""

"""The standard thematic classifier of appeals (SSSS.TTTT.TTTT.QQQQ), shared by the whole region."""

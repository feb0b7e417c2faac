// Package browsertest opens the HTML report in a real browser: headless
// Chromium driven over the DevTools protocol on a pipe (no Node, no
// third-party driver). Its tests fail on any console error, uncaught
// exception or network request, check that every section of the report is
// in the rendered page, and check that a full-page screenshot is not blank.
//
// The tests look for Chromium at /usr/bin/chromium (or $CHROMIUM). Without
// it they skip, unless the CI environment variable is set, in which case
// they fail: CI must have the browser (Debian's chromium package).
//
// Set SEGMINT_BROWSERTEST_OUT to a directory to keep the rendered pages and
// screenshots for a person to look at.
package browsertest

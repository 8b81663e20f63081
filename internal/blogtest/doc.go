// Package blogtest holds the blog model of DESIGN.md (users, profiles,
// posts, comments and tags) for the tests of every package, so that it is
// declared once. It is internal: a test fixture, not part of the API.
//
// Tests that need the model to differ (other tags, more relationships)
// declare their own variant next to the test and say why.
package blogtest

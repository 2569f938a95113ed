// Package apptest is the assembled system for tests, on a schema of package testenv: the seeded
// city (Seed), the system serving on a loopback port (Start, Server) with signed requests from
// its devices and logins of its staff, and fixtures of the seeded organisation (Case, the
// codes of the city hall's first window, the applicant).
package apptest

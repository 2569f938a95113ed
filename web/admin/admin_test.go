package admin_test

import "haochaping/internal/testenv"

// adminNow is the business time of these tests: a Tuesday morning in Beijing.
var adminNow = testenv.Beijing(2026, 12, 1, 10, 0, 0)

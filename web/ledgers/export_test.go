package ledgers

// CompactRefs is compactRefs, for the tests.
var CompactRefs = compactRefs

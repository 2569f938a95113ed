package database

import (
	"errors"
	"io"
)

// unreachable reports a replica that could not be reached or went away mid-query: the cases
// of IsUnavailable, and a connection cut while the answer was being read (which pgx reports
// as the end of the stream, not as a network error).
func unreachable(err error) bool {
	return IsUnavailable(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// isRecoveryConflict reports a query the replica cancelled because replaying the primary's
// changes needed what it read (SQLSTATE 40001 or 40P01 on a hot standby: the report queries
// are read-only, so no other serialization failure reaches them there).
func isRecoveryConflict(err error) bool {
	return IsSerializationFailure(err)
}

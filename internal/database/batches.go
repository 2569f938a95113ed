package database

// EachBatch runs batch after batch — each from the last id the one before it saw — until one
// reads fewer than size rows, the way the resumable backfills walk a table in id order.
// progress, if not nil, is told the rows read and changed so far after each batch that read
// any. It returns the rows changed.
func EachBatch(size int64, progress func(read, changed int64), batch func(after int64) (read, changed, last int64, err error)) (int64, error) {
	var after, read, changed int64
	for {
		n, c, last, err := batch(after)
		if err != nil {
			return changed, err
		}
		read, changed = read+n, changed+c
		if progress != nil && n > 0 {
			progress(read, changed)
		}
		if n < size {
			return changed, nil
		}
		after = last
	}
}

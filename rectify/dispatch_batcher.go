package rectify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// dispatchBatcher gathers the dispatch tasks a worker runs at the same moment into one
// DispatchAll. A burst of bad reviews keeps all of the worker's goroutines on dispatch tasks;
// one at a time, each work order cost a transaction of six statements and a commit, and under
// load the worker fell seconds behind. Together they cost one of each step and one commit.
// A task is still answered only after the transaction holding its work order commits, and a
// lone task is dispatched at once, as before: nothing waits for a batch to fill.
//
// There is no goroutine of its own: the task that finds a free slot takes every task waiting
// (its own among them, unless another already took it) and runs them.
type dispatchBatcher struct {
	s       *Service
	slots   chan struct{} // batches under way at once
	max     int           // evaluations in one batch at most
	mu      sync.Mutex
	waiting []*dispatchJob
}

type dispatchJob struct {
	evaluationID int64
	done         chan struct{} // closed when out is final
	out          DispatchOutcome
}

// dispatchBatchTimeout bounds a batch's transaction. It is not any one task's context: the
// batch carries other tasks too.
const dispatchBatchTimeout = 30 * time.Second

func newDispatchBatcher(s *Service, concurrent, max int) *dispatchBatcher {
	return &dispatchBatcher{s: s, slots: make(chan struct{}, concurrent), max: max}
}

// dispatch dispatches a task's evaluations, in batches with whatever else is waiting; it
// returns once each is final, with their errors.
func (b *dispatchBatcher) dispatch(ctx context.Context, evaluationIDs ...int64) error {
	jobs := make([]*dispatchJob, len(evaluationIDs))
	for i, id := range evaluationIDs {
		jobs[i] = &dispatchJob{evaluationID: id, done: make(chan struct{})}
	}
	b.mu.Lock()
	b.waiting = append(b.waiting, jobs...)
	b.mu.Unlock()
	var errs []error
	for _, j := range jobs {
		if err := b.await(ctx, j); err != nil {
			errs = append(errs, fmt.Errorf("evaluation %d: %w", j.evaluationID, err))
		}
	}
	return errors.Join(errs...)
}

// await runs batches, whenever a slot is free, until j is final.
func (b *dispatchBatcher) await(ctx context.Context, j *dispatchJob) error {
	for {
		select {
		case b.slots <- struct{}{}:
		case <-j.done:
			return j.out.Err
		case <-ctx.Done():
			return ctx.Err() // the job may still run with a batch: a retry then finds its work order
		}
		batch := b.take()
		if len(batch) == 0 {
			<-b.slots
			<-j.done // another task took this one: its batch is under way
			return j.out.Err
		}
		fx := b.run(batch)
		<-b.slots
		b.afterCommit(fx)
		select {
		case <-j.done:
			return j.out.Err
		default: // more were waiting than a batch holds, this one among the rest
		}
	}
}

func (b *dispatchBatcher) take() []*dispatchJob {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(b.waiting), b.max)
	batch := append([]*dispatchJob(nil), b.waiting[:n]...)
	b.waiting = append(b.waiting[:0], b.waiting[n:]...)
	return batch
}

// run dispatches the batch in one transaction and answers its tasks. If that fails, each
// evaluation is tried in a transaction of its own, so that one that cannot be dispatched never
// holds the others back. It returns the effects of what committed.
func (b *dispatchBatcher) run(batch []*dispatchJob) []*effects {
	ctx, cancel := context.WithTimeout(context.Background(), dispatchBatchTimeout)
	defer cancel()
	ids := make([]int64, len(batch))
	for i, j := range batch {
		ids[i] = j.evaluationID
	}
	outs, fx, err := b.s.dispatchTx(ctx, ids)
	if err != nil && len(batch) > 1 {
		var all []*effects
		for _, j := range batch {
			all = append(all, b.run([]*dispatchJob{j})...)
		}
		return all
	}
	for i, j := range batch {
		if err != nil {
			j.out = DispatchOutcome{EvaluationID: j.evaluationID, Err: err}
		} else {
			j.out = outs[i]
		}
		close(j.done)
	}
	if err != nil {
		return nil
	}
	return []*effects{fx}
}

// afterCommit sends what committed batches left to do, outside the slot: the next batch
// need not wait for the deadlines of this one to be queued, whose loss costs no fact
// (Service.afterCommit).
func (b *dispatchBatcher) afterCommit(fxs []*effects) {
	ctx, cancel := context.WithTimeout(context.Background(), dispatchBatchTimeout)
	defer cancel()
	for _, fx := range fxs {
		b.s.afterCommit(ctx, fx)
	}
}

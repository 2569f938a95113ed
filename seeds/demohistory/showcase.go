package demohistory

import "haochaping/rectify"

// showcase holds, in order, the first work orders received late enough in each open state not
// yet on show (DefaultStory: Loop.ShowcaseAge), so that the inbox shows every state.
type showcase struct {
	from   int64
	wanted []rectify.State
}

func newShowcase(from int64) *showcase {
	return &showcase{from: from, wanted: []rectify.State{rectify.PendingCallback, rectify.Verified,
		rectify.RectifyingNow, rectify.RectifyingDeadline, rectify.Explained, rectify.Appealing,
		rectify.AppealUpheld, rectify.Rectified, rectify.FedBack, rectify.Returned}}
}

// pick returns the state to hold a work order in, or "".
func (sc *showcase) pick(received int64, realName, canReturn bool) rectify.State {
	if received < sc.from {
		return ""
	}
	for _, st := range sc.wanted {
		if (st == rectify.FedBack && !realName) || (st == rectify.Returned && !canReturn) {
			continue
		}
		return st
	}
	return ""
}

// shown records that a work order ended in a state.
func (sc *showcase) shown(st rectify.State) {
	for i, w := range sc.wanted {
		if w == st {
			sc.wanted = append(sc.wanted[:i], sc.wanted[i+1:]...)
			return
		}
	}
}

// Package rectify is the bad-review loop (差评闭环): every bad review becomes exactly one work
// order (整改工单) for the unit that handled the case ("谁办理、谁负责"), carried from the
// outbox through the Redis queue to the dispatcher; the work order moves through its states by
// the actions of staff and office, each leaving an event that is never changed; deadlines are
// counted in working days and watched, with reminders and escalation.
// "件件有回访、件件有整改、件件有记录".
//
// It owns the tables work_orders, work_order_events (append-only), notifications and
// callback_scripts. Who may see and act on an order is package access's responsibility table.
package rectify

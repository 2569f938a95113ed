// Package loadgen is `haochaping loadgen`: realistic, signed traffic against a running server
// over HTTP, as the devices of a hall and the online backends send it. Cases are pushed by the
// business system's device first (POST /api/v1/cases), then rated in the channel mix of the
// demo history (DOMAIN.md): the window pads 45 %, the phones behind the receipt's QR code 25 %,
// the portal 20 %, the kiosks 10 % in batches; a share of the ratings bad, and a share of the
// requests repeats of a rating already acknowledged (a device resending it, or the citizen
// rating the same case on the portal), which must be answered with the original's id.
//
// Like a real device, it retries a request that got no answer or a 5xx with the same body and
// idempotency key, signed anew; a rating counts as acknowledged only when an answer said so,
// and each acknowledged rating is written to the acks file for `haochaping check --acks`.
// The requests are paced by bench.Run (open loop at a rate, or closed loop at a concurrency);
// the latencies go into an HDR histogram.
package loadgen

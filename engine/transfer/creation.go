package transfer

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ferry-app/ferry/fault"
)

// maxCreateWait bounds how long a creation's answer is waited for.
const maxCreateWait = 16 * time.Minute

// creations is what an origin's creations have earned: how long the
// next one's answer is waited for (0: ResponseTimeout), grown after each
// lost answer, and how many in a row were lost.
type creations struct {
	wait time.Duration
	lost int
}

// creation is a creation request to t's endpoint, with the wait for its
// answer that the endpoint's origin has earned.
func (c *Client) creation(t Target, hdr http.Header) request {
	c.createMu.Lock()
	defer c.createMu.Unlock()
	return request{method: http.MethodPost, target: t.Endpoint, hdr: hdr, create: true,
		answer: c.created[originOf(t.Endpoint)].wait}
}

// maxLostCreations is how many creations in a row an origin may take
// without answering before Ferry stops asking it: each may have left an
// upload there (a video in a provider's account) that nobody can find.
const maxLostCreations = 3

// lostCreation explains a creation request that the server had whole but
// whose answer never came (too late, or the connection dropped): the
// server may have made an upload that tus gives no way to find. Asking
// again at once, and again, would leave one such orphan per try, so the
// next creation to that origin waits twice as long for its answer, and
// after maxLostCreations in a row the job fails with a sentence.
func (c *Client) lostCreation(t Target, err error) error {
	var e *fault.Error
	if !errors.As(err, &e) || !e.Reached {
		return err
	}
	o := originOf(t.Endpoint)
	c.createMu.Lock()
	if c.created == nil {
		c.created = map[string]creations{}
	}
	cr := c.created[o]
	cr.wait = min(2*cmp.Or(cr.wait, c.responseTimeout()), maxCreateWait)
	cr.lost++
	c.created[o] = cr
	c.createMu.Unlock()
	if cr.lost >= maxLostCreations {
		e.Kind, e.Code = fault.Permanent, fault.CodeLostCreation
		e.Msg = fmt.Sprintf("%s; %d creation requests in a row reached %s without an answer, and each may have left an unfinished upload there. Ferry stops asking so as to leave no more: check the server, then retry", e.Msg, cr.lost, HostOf(t.Endpoint))
		return e
	}
	e.Msg = fmt.Sprintf("%s; it may keep an unfinished upload from that request. The next try waits up to %s for its answer", e.Msg, cr.wait.Round(time.Second))
	return e
}

// creationAnswered notes that a creation to t's endpoint got its answer:
// the count of lost ones starts again (the longer wait stays).
func (c *Client) creationAnswered(t Target) {
	o := originOf(t.Endpoint)
	c.createMu.Lock()
	defer c.createMu.Unlock()
	if cr, ok := c.created[o]; ok && cr.lost > 0 {
		cr.lost = 0
		c.created[o] = cr
	}
}

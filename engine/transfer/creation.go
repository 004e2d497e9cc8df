package transfer

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// maxCreateWait bounds how long a creation's answer is waited for.
const maxCreateWait = 16 * time.Minute

// creation is a creation request to t's endpoint, with the wait for its
// answer that the endpoint's origin has earned.
func (c *Client) creation(t Target, hdr http.Header) request {
	r := request{method: http.MethodPost, target: t.Endpoint, hdr: hdr, create: true}
	if d, ok := c.slowCreate.Load(originOf(t.Endpoint)); ok {
		r.answer = d.(time.Duration)
	}
	return r
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
	var e *Error
	if !errors.As(err, &e) || !e.reached {
		return err
	}
	o := originOf(t.Endpoint)
	wait := c.responseTimeout()
	if d, ok := c.slowCreate.Load(o); ok {
		wait = d.(time.Duration)
	}
	wait = min(2*wait, maxCreateWait)
	c.slowCreate.Store(o, wait)
	lost := c.lostCount(o, 1)
	if lost >= maxLostCreations {
		e.Kind, e.Code = Permanent, CodeLostCreation
		e.Msg = fmt.Sprintf("%s; %d creation requests in a row reached %s without an answer, and each may have left an unfinished upload there. Ferry stops asking so as to leave no more: check the server, then retry", e.Msg, lost, HostOf(t.Endpoint))
		return e
	}
	e.Msg = fmt.Sprintf("%s; it may keep an unfinished upload from that request. The next try waits up to %s for its answer", e.Msg, wait.Round(time.Second))
	return e
}

// lostCount adds d to the origin's count of creations in a row that got
// no answer, and returns it; d = 0 after an answer resets it.
func (c *Client) lostCount(origin string, d int) int {
	c.lostMu.Lock()
	defer c.lostMu.Unlock()
	if c.lost == nil {
		c.lost = map[string]int{}
	}
	if d == 0 {
		delete(c.lost, origin)
		return 0
	}
	c.lost[origin] += d
	return c.lost[origin]
}

// creationAnswered notes that a creation to t's endpoint got its answer.
func (c *Client) creationAnswered(t Target) { c.lostCount(originOf(t.Endpoint), 0) }

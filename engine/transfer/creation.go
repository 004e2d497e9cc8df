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

// lostCreation explains a creation request that the server had whole but
// whose answer never came: the server may have made an upload that tus
// gives no way to find. Asking again at once, and again, would leave one
// such orphan per try, so the next creation to that origin waits twice
// as long for its answer.
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
	e.Msg = fmt.Sprintf("%s; it may keep an unfinished upload from that request. The next try waits up to %s for its answer", e.Msg, wait.Round(time.Second))
	return e
}

package transfer

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ferry-app/ferry/fault"
)

// giveUp is how long a server that has never answered in this process
// may refuse or ignore connections before its errors are permanent.
func (c *Client) giveUp() time.Duration {
	if c.GiveUp > 0 {
		return c.GiveUp
	}
	return time.Minute
}

// neverAnswered bounds the retries of a server that is down: until an
// origin has answered once, a connection it refuses or ignores is told
// with the time Ferry gives up, and once that is past the error is
// permanent (a link that drops after answers keeps its retries for ever).
// An offline machine (no DNS, no route) is not a server down, and waits.
func (c *Client) neverAnswered(target string, e *fault.Error) *fault.Error {
	var op *net.OpError
	var dns *net.DNSError
	if e.Kind != fault.Transient || !errors.As(e.Err, &op) || op.Op != "dial" || errors.As(e.Err, &dns) || netUnreachable(e.Err) {
		return e
	}
	o := originOf(target)
	v, _ := c.unanswered.LoadOrStore(o, time.Now())
	at := v.(time.Time).Add(c.giveUp())
	if time.Now().Before(at) {
		e.Msg = joinSentences(e.Msg, fmt.Sprintf("It has not answered since Ferry started; Ferry gives up at %s unless it does", at.Format("15:04:05")))
		return e
	}
	e.Kind = fault.Permanent
	e.Msg = joinSentences(e.Msg, fmt.Sprintf("It has not answered once in the %s since Ferry started; retry once it is up.", roughly(c.giveUp())))
	return e
}

// joinSentences puts b after a, ending a with a full stop if it has no
// mark of its own.
func joinSentences(a, b string) string {
	if strings.HasSuffix(a, ".") || strings.HasSuffix(a, "?") || strings.HasSuffix(a, "!") {
		return a + " " + b
	}
	return a + ". " + b
}

// roughly says a duration as a person would: "1 min", "90s".
func roughly(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.String()
}

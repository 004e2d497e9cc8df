package app

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/fault"
	"github.com/ferry-app/ferry/keychain"
)

// destUsage is the help of ferry dest, its kinds' lines made from the
// providers' fields.
func destUsage() string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, p := range dest.Providers() {
		line := "  ferry dest add NAME --kind " + string(p.Kind)
		_, headers := p.FieldOf(dest.SlotHeaders)
		for _, f := range p.Fields {
			// A receiver Ferry serves gets a folder of its own (builtinDest).
			optional := f.Missing == "" || p.Served && f.Slot == dest.SlotFolder
			switch {
			case f.Slot == dest.SlotAuth && headers:
				continue // one --header option says both
			case optional:
				line += " [" + f.Flag() + "]"
			default:
				line += " " + f.Flag()
			}
			if f.Slot == dest.SlotHeaders || f.Slot == dest.SlotMeta {
				line += "..."
			}
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(`  ferry dest add NAME ... --replace            change a saved destination
  ferry dest list [--json] | show NAME [--json] | remove NAME | default NAME | test NAME

Secrets (--token-stdin, secret header values, a URL's user:password@ and
signing parameters) go to the system keychain, never into the queue
database; FERRY_TOKEN_<NAME> also gives a token.
`)
	return b.String()
}

// cmdDest manages saved destinations.
func cmdDest(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, destUsage())
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	op, rest := args[0], args[1:]
	var c common
	var kind, url, account, dir string
	var tokenStdin, replace bool
	fs := flag.NewFlagSet("dest "+op, flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&kind, "kind", "tus", dest.Kinds())
	fs.StringVar(&url, "url", "", "where uploads are created: a tus server's creation URL, a backend's, or a Ferry receiver's")
	fs.StringVar(&account, "account", "", "Cloudflare account id: 32 hexadecimal characters, after dash.cloudflare.com/ in the dashboard's address")
	fs.StringVar(&dir, "dir", "", "the folder where received files land (a receiver Ferry runs here)")
	fs.BoolVar(&tokenStdin, "token-stdin", false, "read the API token from standard input")
	fs.BoolVar(&replace, "replace", false, "add: replace the saved destination of that name")
	names, err := parse(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, destUsage())
		return exitOK
	}
	if err != nil {
		return exitCode(err, stderr)
	}
	need := map[string]int{"add": 1, "show": 1, "remove": 1, "default": 1, "test": 1, "list": 0}
	n, known := need[op]
	switch {
	case !known:
		return exitCode(usagef("unknown dest command %q\n\n%s", op, destUsage()), stderr)
	case len(names) != n:
		return exitCode(usagef("ferry dest %s takes %d name(s)\n\n%s", op, n, destUsage()), stderr)
	}
	opts, err := c.engineOptions(stderr)
	if err != nil {
		return exitCode(err, stderr)
	}
	eng, err := engine.Open(opts)
	if err != nil {
		return exitCode(err, stderr)
	}
	defer eng.Close()
	switch op {
	case "add":
		k, err := dest.ParseKind(kind)
		if err != nil {
			return exitCode(usagef("%v", err), stderr)
		}
		d := engine.Destination{Name: names[0], Kind: k, URL: url, Account: account, Header: c.headers.header(),
			Meta: c.meta, ChunkSize: int64(c.chunkSize)}
		secrets := map[string]string{}
		if tokenStdin {
			token, err := readToken(stdin)
			if err != nil {
				return exitCode(err, stderr)
			}
			secrets["token"] = token
		}
		prov := d.Provider()
		if prov.Served {
			if d, err = builtinDest(d, dir); err != nil {
				return exitCode(err, stderr)
			}
		}
		// What is wrong with the name and the settings is said before a
		// missing token, in the form's order.
		if err := engine.CheckName(d.Name); err != nil {
			return exitCode(usagef("%v", err), stderr)
		}
		if err := d.Check(); err != nil {
			return exitCode(usagef("%v", err), stderr)
		}
		if _, exists := eng.SavedDestination(d.Name); exists && !replace {
			return exitCode(usagef("there is already a destination %s; add --replace to replace it with these settings (ferry dest show %s shows what it has)", shellWord(d.Name), shellWord(d.Name)), stderr)
		}
		if f, ok := prov.FieldOf(dest.SlotToken); ok && f.Missing != "" && !tokenStdin && os.Getenv(keychain.TokenEnv(d.Name)) == "" {
			return exitCode(usagef("a %s destination needs its token: --token-stdin (e.g. printf %%s \"$TOKEN\" | ferry dest add %s --kind %s --token-stdin ...), or %s", k, shellWord(d.Name), k, keychain.TokenEnv(d.Name)), stderr)
		}
		err = eng.SaveDestination(d, secrets)
		if err != nil && fault.CodeOf(err) != fault.CodeKeychain {
			return exitCode(usagef("%v", err), stderr)
		}
		// Saved, though an old secret may have stayed behind (said below).
		fmt.Fprintf(stdout, "Saved %s (%s). Send files there: ferry upload --to %s FILE\n", d.Name, k, shellWord(d.Name))
		saved, _ := eng.SavedDestination(d.Name)
		if kc, ok := opts.Keychain.(interface{ Where() string }); ok && (len(secrets) > 0 || saved.SecretURL || len(saved.SecretHeaders) > 0) {
			fmt.Fprintf(stdout, "Its secrets are in %s.\n", kc.Where())
		}
		if err != nil {
			return exitCode(err, stderr)
		}
	case "list":
		dests := eng.Destinations()
		if c.json {
			for _, d := range dests {
				printDestJSON(stdout, d, d.Name == eng.DefaultDestination())
			}
			return exitOK
		}
		if len(dests) == 0 {
			fmt.Fprintln(stdout, "No saved destinations; ferry dest add NAME --kind ... makes one.")
			return exitOK
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tWHERE\tDEFAULT")
		for _, d := range dests {
			def := ""
			if d.Name == eng.DefaultDestination() {
				def = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, d.Provider().Kind, d.Where(), def)
		}
		tw.Flush()
	case "show":
		d, ok := eng.SavedDestination(names[0])
		if !ok {
			return exitCode(usagef("there is no saved destination %q; ferry dest list shows them", names[0]), stderr)
		}
		if c.json {
			printDestJSON(stdout, d, d.Name == eng.DefaultDestination())
			return exitOK
		}
		fmt.Fprintf(stdout, "name:     %s\nkind:     %s\nwhere:    %s\n", d.Name, d.Provider().Kind, d.Where())
		for k, v := range d.Header {
			fmt.Fprintf(stdout, "header:   %s: %s\n", k, strings.Join(v, ", "))
		}
		for _, k := range d.SecretHeaders {
			fmt.Fprintf(stdout, "header:   %s: (in the keychain)\n", k)
		}
		for k, v := range d.Meta {
			fmt.Fprintf(stdout, "metadata: %s=%s\n", k, v)
		}
		if d.ChunkSize > 0 {
			fmt.Fprintf(stdout, "chunks:   %d bytes\n", d.ChunkSize)
		}
		if d.Name == eng.DefaultDestination() {
			fmt.Fprintln(stdout, "default:  yes")
		}
	case "remove":
		jobs := eng.JobsGoingTo(names[0])
		err := eng.RemoveDestination(names[0])
		if err != nil && fault.CodeOf(err) != fault.CodeKeychain {
			return exitCode(usagef("%v", err), stderr)
		}
		if err == nil {
			fmt.Fprintf(stdout, "Removed %s.\n", names[0])
		}
		if jobs > 0 {
			fmt.Fprintf(stderr, "ferry: %d unfinished job(s) went to %s; they fail until it is added again (or ferry remove them).\n", jobs, names[0])
		}
		if err != nil {
			return exitCode(err, stderr) // removed, but its secrets stayed: the sentence says so
		}
	case "default":
		if err := eng.SetDefaultDestination(names[0]); err != nil {
			return exitCode(usagef("%v", err), stderr)
		}
		fmt.Fprintf(stdout, "%s is the default destination.\n", names[0])
	case "test":
		err := eng.TestDestination(names[0])
		var unchecked *engine.ErrUnchecked
		switch {
		case errors.As(err, &unchecked):
			fmt.Fprintf(stdout, "%s: %s\n", names[0], unchecked.Msg)
		case err != nil:
			fmt.Fprintf(stderr, "ferry: %s: %v\n", names[0], err)
			return exitFailed
		default:
			fmt.Fprintf(stdout, "%s answers as it should.\n", names[0])
		}
	}
	return exitOK
}

func printDestJSON(w io.Writer, d engine.Destination, def bool) {
	json.NewEncoder(w).Encode(struct {
		engine.Destination
		Kind    dest.Kind `json:"kind"`
		Default bool      `json:"default"`
	}{d, d.Provider().Kind, def})
}

// readToken reads a secret from standard input: the first line, trimmed,
// and no more of it than a token can be (a file given by mistake is not
// read whole).
func readToken(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, dest.MaxToken+64)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fault.Wrap(fault.CodeUsage, err, "Cannot read the token from standard input (%s).", fault.Cause(err))
	}
	token := strings.TrimSpace(line)
	if token == "" {
		return "", usagef("--token-stdin: standard input held no token")
	}
	if err := dest.CheckToken(token); err != nil {
		return "", usagef("--token-stdin: %v", err)
	}
	return token, nil
}

// builtinDest gives a builtin destination its folder and a loopback port
// of its own, kept with it so upload URLs stay valid across runs.
func builtinDest(d engine.Destination, dir string) (engine.Destination, error) {
	if dir == "" {
		dir = defaultReceiveDir()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return d, err
	}
	d.Dir = abs
	if d.URL == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return d, fault.Wrap(fault.CodeCannotListen, err, "Cannot find a free port on this machine for the receiver (%s).", fault.Cause(err))
		}
		d.URL = "http://" + ln.Addr().String() + "/files/"
		ln.Close()
	}
	return d, nil
}

// shellWord is a name as it is typed in a command: quoted when it holds
// a space (a destination's name may).
func shellWord(s string) string {
	if strings.ContainsAny(s, " '") {
		return strconv.Quote(s)
	}
	return s
}

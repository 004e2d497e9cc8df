package dest

import "testing"

func TestSecretNames(t *testing.T) {
	for name, want := range map[string]bool{
		// long words, anywhere in the name
		"token": true, "access_token": true, "X-Amz-Security-Token": true, "X-Api-Key": true,
		"apikey": true, "Authorization": true, "Proxy-Authorization": true, "Cookie": true,
		"client_secret": true, "password": true, "X-Amz-Signature": true, "X-Goog-Credential": true,
		"JSESSIONID": true, "PHPSESSID": true,
		// short words, as a word of the name
		"jwt": true, "x-jwt": true, "X-Jwt": true, "xJwt": true, "jwtToken": true, "jwt2": true,
		"hmac": true, "X-Hmac": true, "hmac_sig": true, "HMACSig": true, "hmacsha256": true,
		"sid": true, "SID": true, "x.sid": true, "user_sid": true,
		"sig": true, "Sig": true, "sha256sig": true,
		"pass": true, "passcode": true, "Passphrase": true, "x-pass": true, "pwd": true,
		// plain
		"inside": false, "side": false, "aside": false, "sidebar": false, "consider": false,
		"signal": false, "design": false, "assign": false, "X-Amz-SignedHeaders": false,
		"compass": false, "bypass": false, "filename": false, "filetype": false,
		"Upload-Length": false, "Content-Type": false, "X-Team": false, "Tus-Resumable": false,
		"b": false, "a": false, "c": false, "project": false, "X-Amz-Date": false, "X-Amz-Expires": false,
	} {
		if got := SecretHeader(name); got != want {
			t.Errorf("SecretHeader(%q) = %v, want %v", name, got, want)
		}
		if got := secretParam(name); got != want {
			t.Errorf("secretParam(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestEditSecretsKeepsTheURLAsGiven(t *testing.T) {
	for _, c := range []struct{ raw, stripped, Redacted string }{
		{"https://u:p@h/x?b=2&a=%2F1&X-Amz-Signature=abc&c=a+b",
			"https://h/x?b=2&a=%2F1&c=a+b",
			"https://REDACTED@h/x?b=2&a=%2F1&X-Amz-Signature=REDACTED&c=a+b"},
		{"https://h/x?X-Amz-Credential=k%2F1&b=%7e&jwt=e.y.J#frag",
			"https://h/x?b=%7e#frag",
			"https://h/x?X-Amz-Credential=REDACTED&b=%7e&jwt=REDACTED#frag"},
		{"http://u:PWX@host:8080/files/?token=QTX", "http://host:8080/files/", "http://REDACTED@host:8080/files/?token=REDACTED"},
		{"http://host/files/?sid=1;side=2&inside=3", "http://host/files/?side=2&inside=3", "http://host/files/?sid=REDACTED;side=2&inside=3"},
		{"http://host/files/?a=1&&b=%zz", "http://host/files/?a=1&&b=%zz", "http://host/files/?a=1&&b=%zz"},
		{"http://host/files/?", "http://host/files/?", "http://host/files/?"},
		{"http://h/p@x?b=1", "http://h/p@x?b=1", "http://h/p@x?b=1"},
		{"http://h/files;jsessionid=ABC;v=2/x?b=1", "http://h/files;v=2/x?b=1", "http://h/files;jsessionid=REDACTED;v=2/x?b=1"},
		{"http://h/files/;jsessionid=ABC", "http://h/files/", "http://h/files/;jsessionid=REDACTED"},
		{"http://h/files/#access_token=T0K&state=1", "http://h/files/#state=1", "http://h/files/#access_token=REDACTED&state=1"},
		{"http://h/a;b/c#x", "http://h/a;b/c#x", "http://h/a;b/c#x"},
		{"", "", ""},
	} {
		if got := StripSecrets(c.raw); got != c.stripped {
			t.Errorf("StripSecrets(%q) = %q, want %q", c.raw, got, c.stripped)
		}
		if got := RedactURL(c.raw); got != c.Redacted {
			t.Errorf("RedactURL(%q) = %q, want %q", c.raw, got, c.Redacted)
		}
		if got := RedactURL(c.Redacted); got != c.Redacted {
			t.Errorf("RedactURL is not idempotent on %q: %q", c.Redacted, got)
		}
		if HasSecrets(c.raw) != (c.raw != c.stripped) {
			t.Errorf("HasSecrets(%q) = %v", c.raw, HasSecrets(c.raw))
		}
	}
}

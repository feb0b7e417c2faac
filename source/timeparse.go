package source

import (
	"errors"
	"strings"
	"time"
)

var errBadTime = errors.New("unparseable timestamp")

// ParseTimestamp parses the textual timestamps found in event dumps into
// microseconds since the Unix epoch, UTC. It accepts
// "2019-10-01 00:00:00 UTC" (REES46), "2019-10-01 00:00:00",
// "2019-10-01T00:00:00Z", RFC 3339 with a numeric offset, an optional
// fraction of a second, a bare date "2019-10-01", and the US form of the
// Online Retail CSV files, "12/1/2010 8:26". Times without a zone
// are taken as UTC. The common fixed-width forms are parsed without
// allocating.
func ParseTimestamp(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return 0, errBadTime
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' {
		return slowParse(s)
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return 0, errBadTime
	}
	var hour, minute, sec, micros int64
	rest := s[10:]
	if len(rest) > 0 {
		if len(rest) < 9 || (rest[0] != ' ' && rest[0] != 'T') || rest[3] != ':' || rest[6] != ':' {
			return slowParse(s)
		}
		var ok4, ok5, ok6 bool
		hour, ok4 = digits(rest, 1, 2)
		minute, ok5 = digits(rest, 4, 2)
		sec, ok6 = digits(rest, 7, 2)
		if !ok4 || !ok5 || !ok6 || hour > 23 || minute > 59 || sec > 60 {
			return 0, errBadTime
		}
		rest = rest[9:]
		if len(rest) > 0 && rest[0] == '.' {
			n := 1
			var scale int64 = 100000
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				if scale > 0 {
					micros += int64(rest[n]-'0') * scale
					scale /= 10
				}
				n++
			}
			rest = rest[n:]
		}
	}
	var offset int64 // seconds east of UTC
	switch strings.TrimSpace(rest) {
	case "", "Z", "UTC", "+00:00", "+0000", "GMT":
	default:
		z := strings.TrimSpace(rest)
		if len(z) == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':' {
			h, okh := digits(z, 1, 2)
			m, okm := digits(z, 4, 2)
			if !okh || !okm {
				return 0, errBadTime
			}
			offset = h*3600 + m*60
			if z[0] == '-' {
				offset = -offset
			}
		} else {
			return slowParse(s)
		}
	}
	days := daysFromCivil(year, month, day)
	if day > daysIn(year, month) {
		return 0, errBadTime
	}
	secs := days*86400 + hour*3600 + minute*60 + sec - offset
	return secs*1_000_000 + micros, nil
}

func slowParse(s string) (int64, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04", "2006-01-02T15:04", "1/2/2006 15:04", "1/2/2006 15:04:05", "01/02/2006 15:04", "01/02/2006 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMicro(), nil
		}
	}
	return 0, errBadTime
}

func digits(s string, at, n int) (int64, bool) {
	if at+n > len(s) {
		return 0, false
	}
	var v int64
	for i := at; i < at+n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// daysFromCivil returns days since 1970-01-01 of a proleptic Gregorian date
// (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

"""Calls back for free: callers ask by phone (main menu 7, or 7 at the end of an
answer) or by a missed call to the callback line, and staff or the worker call them.

  numbers   a caller's number checked (phonenumbers) and grouped for reading back
  schedule  when the line calls (working hours, Europe/Amsterdam), the wait a caller is
            told, the growing gaps between tries
  requests  the records: ask (one open per number, a daily limit), claim (atomic),
            finish, the worker's tries and Twilio's outcomes, the numbers deleted
  phone     the caller's side on the line: confirm or type the number, a topic, the wait
  outbound  the TwiML of a call back: greeting, the language asked when unknown, the
            whisper to the agent, the bridge
  webhooks  /voice/callback/... (thin views), the missed call's <Reject>
  admin     /admin/callbacks for agents

A number is kept only sealed (store.sealed) beside its keyed hash (store.callers), and
shown only to the agent holding the request; never in a log or a count.
"""

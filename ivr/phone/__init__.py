"""The web phone at /phone: a keypad in the browser that hears exactly what a caller
would, by asking the line's own webhooks (`views`) and playing their TwiML in the
page (`templates/phone.html`). On in development or with PHONE_ENABLED."""

"""A call: Twilio's webhooks in, TwiML out.

  webhooks        the Flask views: read the request's values, answer cached TwiML
  answers         what each webhook answers and counts, from its values (no Flask)
  fastpath        a cached answer given before Flask, with the same checks
  stats           what a webhook means for the statistics
  form            refuse what is not Twilio's plain form (4xx), before anything reads it
  signature       refuse what Twilio did not sign
  twilio_request  Twilio's request described once (parameters, URL, signature)
  flow            the call flow: plain functions from values to TwiML (no Flask)
  paths           the URLs the flow sends Twilio to next (call state lives in them)
  speech, play    the seam: <Say> with Twilio's voices, or <Play> of built audio
"""

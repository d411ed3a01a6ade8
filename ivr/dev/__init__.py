"""Tools for trying and measuring the line without a phone; none of it runs in a call.

  simulator   `ivr call`: drives a running line as Twilio would, prints what is heard
  devserver   `make run`: embedded Redis, audio brought up to date, then serve
  bench, load `make bench`: throughput and memory as ratios against a bare route
  procfile    the Procfile's web process, started as a platform starts it (tests, bench, soak)
  soak        `make soak`: callers for a while, Redis killed and frozen, a worker killed
"""

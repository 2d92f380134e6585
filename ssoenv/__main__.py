"""`python -m ssoenv`."""

from ssoenv.entry import main

main()

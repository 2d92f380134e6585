"""The base: file locations, errors, JSON, safe text, records, the result cache, the process
spawner, and other small pieces every floor uses. It imports nothing of ssoenv's above it; the
spawner starts its child by module name.
"""

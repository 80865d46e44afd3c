"""Link previews: what both apps share (URL extraction, titles, the SSRF guard, the policy and
the result model). Each app brings only its HTTP client and its way of running calls at once.
"""

"""The officers' portal (backend-for-frontend): server-rendered pages over the gateway's APIs."""

"""Handing a published report version to Sở Nội vụ: the outbox copy and the e-mail."""

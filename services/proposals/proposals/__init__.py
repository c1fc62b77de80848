"""The proposals service: đề án khuyến công from submission to settlement."""

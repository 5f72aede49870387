"""Qihang (启航): graduate employment and entrepreneurship work for universities."""

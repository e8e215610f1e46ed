"""The PEP 517/660 build frontend, in isolated environments puv builds itself."""

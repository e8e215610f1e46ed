"""The PubGrub resolver with universal (marker-forking) resolution. Pure: no I/O, no environment."""

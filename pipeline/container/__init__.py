"""The container stage: the local base image, the image build and push, and running it hardened."""
